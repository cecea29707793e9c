"""The rectification ledger's enumerations (问题整改台账), with the labels counties write. Names follow GLOSSARY.md."""
from django.db import models


class Source(models.TextChoices):
    """Where a problem was found: the inspections and assessments the seeds name (山西十二条 九: 专项巡视, 成效考核;
    湖南十条 七: 考核评估, 集中排查; 明查暗访), and the county's own screening."""
    INSPECTION_TOUR = "inspection_tour", "巡视巡察"
    AUDIT = "audit", "审计"
    ASSESSMENT = "assessment", "考核评估"
    SUPERVISION = "supervision", "督查检查"
    UNANNOUNCED_VISIT = "unannounced_visit", "暗访"
    PETITION = "petition", "信访"
    SELF_CHECK = "self_check", "自查"
    OTHER = "other", "其他"


class Category(models.TextChoices):
    INDUSTRY = "industry", "产业帮扶"
    EMPLOYMENT = "employment", "就业帮扶"
    FUNDS = "funds", "资金项目"
    ASSETS = "assets", "资产管理"
    MONITORING = "monitoring", "监测帮扶"
    GUARANTEES = "guarantees", "两不愁三保障"
    CONDUCT = "conduct", "作风"
    OTHER = "other", "其他"
