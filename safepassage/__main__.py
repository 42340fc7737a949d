from safepassage.cli import main

main()
