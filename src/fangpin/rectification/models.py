"""问题整改台账: each problem found, the unit responsible, its deadline and measures, and its closing (逐项销号): the
day, the reviewer and the evidence."""
from django.db import models
from django.db.models import F, Q

from fangpin.ledgers.base import ledger_history

from .choices import Category, Source


class Problem(models.Model):
    code = models.CharField("问题编号", max_length=40, unique=True)
    found_on = models.DateField("发现日期")
    source = models.CharField("问题来源", max_length=20, choices=Source.choices)
    category = models.CharField("问题类别", max_length=12, choices=Category.choices)
    description = models.CharField("问题描述", max_length=500)
    org_unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="所在区划", db_index=False)
    responsible_unit = models.CharField("责任单位", max_length=100)
    responsible_person = models.CharField("责任人", max_length=50, blank=True)
    deadline = models.DateField("整改时限", null=True, blank=True)  # blank: the seed's day applies (checks.yaml)
    measures = models.CharField("整改措施", max_length=500, blank=True)
    closed_on = models.DateField("销号日期", null=True, blank=True)
    reviewer = models.CharField("销号审核人", max_length=50, blank=True)
    evidence = models.CharField("整改佐证", max_length=500, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    history = ledger_history("问题变更记录")

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题清单"
        ordering = ["code"]
        indexes = [models.Index(fields=["org_unit", "found_on", "code"], name="problem_by_place_found")]
        constraints = [
            models.CheckConstraint(condition=Q(source__in=Source.values), name="problem_source_known"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="problem_category_known"),
            # 逐项销号: an item is closed with its reviewer and evidence, and only a closed item has a reviewer
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | (~Q(reviewer="") & ~Q(evidence="")),
                                   name="problem_closed_with_reviewer_and_evidence"),
            models.CheckConstraint(condition=Q(reviewer="") | Q(closed_on__isnull=False),
                                   name="problem_reviewer_only_when_closed"),
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("found_on")),
                                   name="problem_closed_after_found"),
            models.CheckConstraint(condition=Q(deadline__isnull=True) | Q(deadline__gte=F("found_on")),
                                   name="problem_deadline_after_found"),
        ]

    def __str__(self) -> str:
        return f"问题{self.code}"

    @property
    def year(self) -> int:
        """The year its checks are judged in (the entry page's): the year it was found."""
        return self.found_on.year
