from decimal import Decimal

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models


def fill(apps, schema_editor):
    # The same computation the services run on every change, over every call, with the models as
    # they are at this migration.
    from workflow.services.ranking import ranking_refresh

    ranking_refresh(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("workflow", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProposalScore",
            fields=[
                (
                    "project",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="proposal_score",
                        serialize=False,
                        to="projects.jointproject",
                    ),
                ),
                (
                    "mean_score",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=8, null=True),
                ),
                ("above_threshold", models.BooleanField(default=False)),
                ("reviews", models.PositiveIntegerField(default=0)),
                (
                    "requested_grant",
                    models.DecimalField(decimal_places=2, default=0, max_digits=14),
                ),
                (
                    "call",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="projects.call",
                    ),
                ),
            ],
            options={
                "verbose_name": "proposal score",
                "verbose_name_plural": "proposal scores",
                "indexes": [
                    models.Index(
                        models.F("call"),
                        models.OrderBy(
                            django.db.models.functions.comparison.Coalesce(
                                "mean_score",
                                models.Value(Decimal("-1")),
                                output_field=models.DecimalField(decimal_places=2, max_digits=8),
                            ),
                            descending=True,
                        ),
                        models.F("requested_grant"),
                        models.F("project"),
                        name="ranking_order",
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
