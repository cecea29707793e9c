"""The registry's enumerations, with the Chinese labels users see. Names follow ../shared/GLOSSARY.md."""
from django.db import models


class Category(models.TextChoices):
    LIFTED = "lifted", "脱贫户"
    MONITORED = "monitored", "监测户"
    ORDINARY = "ordinary", "一般农户"


class MonitorType(models.TextChoices):
    UNSTABLE = "unstable", "脱贫不稳定户"
    MARGINAL = "marginal", "边缘易致贫户"
    SUDDEN_HARDSHIP = "sudden_hardship", "突发严重困难户"


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙子女"
    SIBLING = "sibling", "兄弟姐妹"
    OTHER = "other", "其他"


class Sex(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class LaborCapacity(models.TextChoices):
    LABORER = "laborer", "劳动力"
    HALF = "half", "半劳力"
    WEAK = "weak", "弱劳力"
    NONE = "none", "无劳动能力"


class SchoolStage(models.TextChoices):
    NONE = "none", "非在校生"
    PRESCHOOL = "preschool", "学前教育"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "普通高中"
    VOCATIONAL = "vocational", "中职"
    COLLEGE = "college", "大学（含高职）"


class EmploymentKind(models.TextChoices):
    WAGE_JOB = "wage_job", "务工"
    PUBLIC_WELFARE_POST = "public_welfare_post", "公益岗位"
    FLEXIBLE = "flexible", "灵活就业"
    # 湖南十条 三: 以工代赈项目实施……确保吸纳脱贫人口和监测对象就业规模较上年只增不减 (work on a relief project)
    WORK_FOR_RELIEF = "work_for_relief", "以工代赈务工"


class PostKind(models.TextChoices):
    """Which public-welfare post (双发〔2022〕67号 13, 14): the floor of clause 14 belongs to the employment-assistance
    posts paid from employment subsidy funds, not to the village posts paid from PV income (clause 13)."""
    EMPLOYMENT_ASSISTANCE = "employment_assistance", "就业帮扶公益岗位（就业补助资金）"
    VILLAGE = "village", "村级公益岗位（光伏收益等集体收入）"
    ONE_HOUSEHOLD_ONE_POST = "one_household_one_post", "“一户一公岗”兜底岗位"
    OTHER = "other", "其他公益岗位"


class EmploymentPlace(models.TextChoices):
    CROSS_PROVINCE = "cross_province", "跨省"
    IN_PROVINCE_OUT_OF_COUNTY = "in_province_out_of_county", "省内县（区）外"
    IN_COUNTY = "in_county", "县（区）内"


class TrainingKind(models.TextChoices):
    SKILLS = "skills", "职业技能培训"
    ORDER = "order", "订单式、项目制培训"
    OUTBOUND = "outbound", "有组织输出针对性培训"
    GENERAL = "general", "普惠制培训"
    DISABLED_PRACTICAL = "disabled_practical", "残疾人农村实用技术培训"


class StartupKind(models.TextChoices):
    INDIVIDUAL = "individual", "个体经营"
    MICRO_ENTERPRISE = "micro_enterprise", "小微企业"
    COMMUNITY_FACTORY = "community_factory", "社区工厂"


class EnterpriseKind(models.TextChoices):
    EMPLOYER = "employer", "用工企业"
    COOPERATIVE = "cooperative", "农民合作社"
    FAMILY_FARM = "family_farm", "家庭农场"
    LEAD_ENTERPRISE = "lead_enterprise", "农业龙头企业"
    WORKSHOP = "workshop", "帮扶车间"
    COMMUNITY_FACTORY = "community_factory", "社区工厂"
    TRAINING_INSTITUTION = "training_institution", "培训机构"
    INTERMEDIARY = "intermediary", "人力资源服务机构（劳务中介）"


class BaseLevel(models.TextChoices):
    NONE = "none", "未认定"
    COUNTY = "county", "县级就业帮扶基地"
    CITY = "city", "市级就业帮扶基地"
    PROVINCE = "province", "省级就业帮扶基地"


# Other wordings of the same values, as found in county spreadsheets and the national monitoring system's exports.
# Accepted on import from Excel; never written.
ALIASES: dict[type[models.TextChoices], dict[str, str]] = {
    Category: {"脱贫人口": "lifted", "监测对象": "monitored", "一般户": "ordinary", "非贫困户": "ordinary"},
    MonitorType: {"脱贫不稳定": "unstable", "边缘易致贫": "marginal", "突发严重困难": "sudden_hardship"},
    Relation: {
        "本人": "head", "户主本人": "head",
        "妻": "spouse", "妻子": "spouse", "夫": "spouse", "丈夫": "spouse",
        "之子": "child", "之女": "child", "子": "child", "女": "child", "儿子": "child", "女儿": "child",
        "长子": "child", "次子": "child", "长女": "child", "次女": "child",
        "之父": "parent", "之母": "parent", "父亲": "parent", "母亲": "parent", "父": "parent", "母": "parent",
        "之孙子": "grandchild", "之孙女": "grandchild", "孙子": "grandchild", "孙女": "grandchild",
        "之外孙子": "grandchild", "之外孙女": "grandchild", "外孙子": "grandchild", "外孙女": "grandchild",
        "之兄弟姐妹": "sibling", "兄": "sibling", "弟": "sibling", "姐": "sibling", "妹": "sibling",
        "兄弟": "sibling", "姐妹": "sibling",
        "之儿媳": "other", "之女婿": "other", "儿媳": "other", "女婿": "other", "之公公": "other", "之婆婆": "other",
        "之岳父": "other", "之岳母": "other", "之祖父母": "other", "之外祖父母": "other",
    },
    LaborCapacity: {
        "普通劳动力": "laborer", "技能劳动力": "laborer", "有劳动能力": "laborer",
        "半劳动力": "half", "弱劳动力或半劳动力": "half", "弱劳动力": "weak",
        "丧失劳动力": "none", "无劳动力": "none", "丧失劳动能力": "none",
    },
    Sex: {"男性": "male", "女性": "female"},
}


class PremisesKind(models.TextChoices):
    NONE = "none", "无租赁场地"
    VILLAGE_STANDARD = "village_standard", "村级标准化生产用房或闲置房屋"
    SELF_RENTED = "self_rented", "自行租赁的非村级标准化生产用房"
