"""公益岗位台账: the public-welfare posts of each village, and who held each post when. Money is integer fen.

A post exists from its 设立日期 until its 撤销日期 (inclusive); a person holds a post from 上岗日期 until 离岗日期
(inclusive). The holders are the registry's members, read-only."""
from django.db import models
from django.db.models import F, Q

from fangpin.ledgers.base import ledger_history

from .choices import FundingSource, PostKind


class Post(models.Model):
    code = models.CharField("岗位编号", max_length=40, unique=True)
    village = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                verbose_name="所在村", db_index=False)
    name = models.CharField("岗位名称", max_length=100)
    kind = models.CharField("岗位类别", max_length=32, choices=PostKind.choices)
    funding = models.CharField("资金来源", max_length=20, choices=FundingSource.choices)
    monthly_wage = models.BigIntegerField("月工资（分）")
    created_on = models.DateField("设立日期")
    abolished_on = models.DateField("撤销日期", null=True, blank=True)
    history = ledger_history("公益岗位变更记录")

    class Meta:
        verbose_name = "公益岗位"
        verbose_name_plural = "公益岗位"
        ordering = ["code"]
        indexes = [models.Index(fields=["village", "code"], name="post_by_village_code")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PostKind.values), name="post_kind_known"),
            models.CheckConstraint(condition=Q(funding__in=FundingSource.values), name="post_funding_known"),
            models.CheckConstraint(condition=Q(monthly_wage__gte=0), name="post_wage_not_negative"),
            models.CheckConstraint(condition=Q(abolished_on__isnull=True) | Q(abolished_on__gte=F("created_on")),
                                   name="post_abolished_after_created"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class PostHolder(models.Model):
    """在岗人员: one person in one post for a stretch of time; the wage where it differs from the post's."""
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="holders", verbose_name="岗位")
    member = models.ForeignKey("registry.Member", on_delete=models.PROTECT, related_name="+", verbose_name="在岗人员")
    started_on = models.DateField("上岗日期")
    ended_on = models.DateField("离岗日期", null=True, blank=True)
    monthly_wage = models.BigIntegerField("月工资（分）", null=True, blank=True)
    history = ledger_history("在岗人员变更记录")

    class Meta:
        verbose_name = "在岗人员"
        verbose_name_plural = "在岗人员"
        ordering = ["post", "started_on", "pk"]
        indexes = [models.Index(fields=["member", "started_on"], name="post_holder_by_member")]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                                   name="post_holder_ends_after_start"),
            models.CheckConstraint(condition=Q(monthly_wage__isnull=True) | Q(monthly_wage__gte=0),
                                   name="post_holder_wage_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.post.name} {self.started_on:%Y-%m-%d} 上岗"
