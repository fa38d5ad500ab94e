"""PostgreSQL's planner, told that a facet's values depend on the facet: alone it multiplies
the two columns' frequencies and expects a few hundred pages where "status = ongoing" has
thousands, then picks nested loops. With the statistics it hashes: the filtered showcase's
facet counts went from 84 to 37 ms a part at scale 50 (docs/benchmarks.md). SQLite has no
such statistics: nothing to do there."""

from django.db import migrations

STATISTICS = "cms_projectpagefacet_facet_value"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (mcv, dependencies) "
            "ON facet, value FROM cms_projectpagefacet"
        )
        schema_editor.execute("ANALYZE cms_projectpagefacet")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [("cms", "0003_centre_facets")]

    operations = [migrations.RunPython(create, drop)]
