"""Re-encryption of every encrypted column under the newest key."""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.db import models, transaction

from safepassage.audit.services import audit_record
from safepassage.core.crypto import rotate_token
from safepassage.core.fields import EncryptedTextField


def encrypted_fields() -> dict[type[models.Model], list[EncryptedTextField]]:
    found: dict[type[models.Model], list[EncryptedTextField]] = {}
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found[model] = fields
    return found


def rotate_all(
    *, batch_size: int = 1000, progress: Callable[[str], object] | None = None
) -> dict[str, int]:
    """Rotate tokens in place, batch by batch, each batch in its own transaction: an interrupted
    run leaves every value readable (old and new keys both decrypt) and can simply be re-run."""
    counts: dict[str, int] = {}
    for model, fields in encrypted_fields().items():
        columns = [f.attname for f in fields]
        label = model._meta.label
        done = 0
        last_pk = None
        while True:
            # Raw tokens: .values() on a queryset still decrypts, so read columns by raw SQL.
            queryset = model._base_manager.order_by("pk")
            if last_pk is not None:
                queryset = queryset.filter(pk__gt=last_pk)
            pks = list(queryset.values_list("pk", flat=True)[:batch_size])
            if not pks:
                break
            table = model._meta.db_table
            pk_column = model._meta.pk.column
            with transaction.atomic():
                from django.db import connection

                quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)
                placeholders = ", ".join(["%s"] * len(pks))
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {connection.ops.quote_name(pk_column)}, {quoted} FROM "  # noqa: S608  # nosec B608: names come from model metadata
                        f"{connection.ops.quote_name(table)} WHERE {connection.ops.quote_name(pk_column)} IN ({placeholders})",
                        pks,
                    )
                    rows = cursor.fetchall()
                    for row in rows:
                        new_values = [rotate_token(v) if v is not None else None for v in row[1:]]
                        sets = ", ".join(
                            f"{connection.ops.quote_name(f.column)} = %s" for f in fields
                        )
                        cursor.execute(
                            f"UPDATE {connection.ops.quote_name(table)} SET {sets} "  # noqa: S608  # nosec B608: names come from model metadata
                            f"WHERE {connection.ops.quote_name(pk_column)} = %s",
                            [*new_values, row[0]],
                        )
                audit_record(
                    actor=None,
                    office=None,
                    event_type="keys.rotated",
                    target=(label.lower(), f"{pks[0]}..{pks[-1]}"),
                    changed_fields=columns,
                    metadata={"rows": len(rows)},
                )
            done += len(pks)
            last_pk = pks[-1]
            if progress is not None:
                progress(f"{label}: {done} rows")
        counts[label] = done
    return counts
