"""The partner centres of every project page as facet rows ("centre"), from the pages' synced
partners: the showcase's map counts them in SQL (cms.showcase.centre_places). The sync writes
them for pages synced from now on; this gives them to the pages that exist."""

from django.db import migrations


def add_centre_facets(apps, schema_editor):
    ProjectPage = apps.get_model("cms", "ProjectPage")
    ProjectPageFacet = apps.get_model("cms", "ProjectPageFacet")
    batch = []
    for page_id, partners in ProjectPage.objects.values_list("pk", "partners").iterator(2000):
        seen = set()
        for partner in partners or ():
            centre_id = partner.get("centre_id")
            if centre_id is None or centre_id in seen:
                continue
            seen.add(centre_id)
            batch.append(
                ProjectPageFacet(
                    page_id=page_id,
                    facet="centre",
                    value=str(centre_id),
                    label=(partner.get("name") or "")[:200],
                )
            )
        if len(batch) >= 5000:
            ProjectPageFacet.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    ProjectPageFacet.objects.bulk_create(batch, ignore_conflicts=True)


def remove_centre_facets(apps, schema_editor):
    apps.get_model("cms", "ProjectPageFacet").objects.filter(facet="centre").delete()


class Migration(migrations.Migration):
    dependencies = [("cms", "0002_public_site")]

    operations = [migrations.RunPython(add_centre_facets, remove_centre_facets)]
