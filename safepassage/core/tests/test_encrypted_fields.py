"""Encrypted identifiers: the database holds no plaintext, lookups go through blind indexes,
and keys rotate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.exceptions import FieldError
from django.db import connection, models
from django.test import override_settings

from safepassage.core import crypto
from safepassage.core.fields import EncryptedDateField, EncryptedTextField
from safepassage.core.keyrotation import rotate_all

PLAINTEXT_NAME = "Oleksandra Kovalenko-Testova"
PLAINTEXT_DOCUMENT = "FX9912345TEST"


class SecretNote(models.Model):
    name = EncryptedTextField()
    document = EncryptedTextField(blank=True)
    document_index = models.CharField(max_length=64, blank=True, db_index=True)
    born = EncryptedDateField(null=True)

    objects: models.Manager[SecretNote] = models.Manager()

    class Meta:
        app_label = "core"
        db_table = "core_test_secretnote"


@pytest.fixture
def secret_table(transactional_db: None) -> Iterator[type[SecretNote]]:
    with connection.schema_editor() as editor:
        editor.create_model(SecretNote)
    yield SecretNote
    with connection.schema_editor() as editor:
        editor.delete_model(SecretNote)


def raw_database_bytes(table: str) -> bytes:
    """What an attacker holding the database would read."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return bytes(connection.connection.serialize())
    with connection.cursor() as cursor:
        # Equivalent of pg_dump's data section for this table: every row as text.
        cursor.execute(f"SELECT t::text FROM {table} t")  # fixed test table name
        return "\n".join(row[0] for row in cursor.fetchall()).encode()


def test_plaintext_never_reaches_the_database(secret_table: type[SecretNote]) -> None:
    # given a record with identifiers
    note = secret_table.objects.create(
        name=PLAINTEXT_NAME,
        document=PLAINTEXT_DOCUMENT,
        document_index=crypto.blind_index(PLAINTEXT_DOCUMENT, purpose="document"),
        born=dt.date(1990, 4, 17),
    )
    # when the raw database is read
    raw = raw_database_bytes(secret_table._meta.db_table)
    # then the rows are there but no plaintext is
    assert len(raw) > 0
    assert PLAINTEXT_NAME.encode() not in raw
    assert PLAINTEXT_DOCUMENT.encode() not in raw
    assert b"1990-04-17" not in raw
    # and the application reads the values back
    loaded = secret_table.objects.get(pk=note.pk)
    assert (loaded.name, loaded.document, loaded.born) == (
        PLAINTEXT_NAME,
        PLAINTEXT_DOCUMENT,
        dt.date(1990, 4, 17),
    )


def test_blind_index_finds_exact_matches(secret_table: type[SecretNote]) -> None:
    secret_table.objects.create(
        name="a", document_index=crypto.blind_index("AB 123", purpose="document")
    )
    match = secret_table.objects.filter(
        document_index=crypto.blind_index("ab  123 ", purpose="document")
    )
    assert match.count() == 1
    assert crypto.blind_index("AB 123", purpose="document") != crypto.blind_index(
        "AB 123", purpose="phone"
    )


def test_encrypted_columns_refuse_sql_lookups(secret_table: type[SecretNote]) -> None:
    with pytest.raises(FieldError):
        list(secret_table.objects.filter(name="x"))
    with pytest.raises(FieldError):
        list(secret_table.objects.filter(name__icontains="x"))
    assert secret_table.objects.filter(born__isnull=True).count() == 0


def test_same_value_encrypts_differently_each_time() -> None:
    assert crypto.encrypt_text("same") != crypto.encrypt_text("same")


def test_rotation_re_encrypts_under_the_new_key(secret_table: type[SecretNote], settings) -> None:
    from cryptography.fernet import Fernet

    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    note = secret_table.objects.create(name=PLAINTEXT_NAME, born=dt.date(2001, 1, 2))
    new_key = Fernet.generate_key().decode()
    try:
        with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, *old_keys]):
            crypto.reset_key_cache()
            rotate_all(batch_size=10)
        # only the new key is needed from now on
        with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
            crypto.reset_key_cache()
            loaded = secret_table.objects.get(pk=note.pk)
            assert (loaded.name, loaded.born) == (PLAINTEXT_NAME, dt.date(2001, 1, 2))
        # and the old key alone can no longer read it
        with override_settings(FIELD_ENCRYPTION_KEYS=old_keys[:1]):
            crypto.reset_key_cache()
            with pytest.raises(crypto.DecryptionError):
                secret_table.objects.get(pk=note.pk)
    finally:
        crypto.reset_key_cache()
