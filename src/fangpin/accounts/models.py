from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


class Role(models.TextChoices):
    VILLAGE_CLERK = "village_clerk", "村级填报员"
    TOWNSHIP_REVIEWER = "township_reviewer", "乡镇审核员"
    COUNTY_BUREAU = "county_bureau", "县乡村振兴局"
    DEPARTMENT_OFFICER = "department_officer", "部门数据员"
    LEADER = "leader", "领导（只读）"


# The org-unit level each role is bound to; None means any level.
ROLE_LEVELS = {
    Role.VILLAGE_CLERK: ("village",),
    Role.TOWNSHIP_REVIEWER: ("township",),
    Role.COUNTY_BUREAU: ("county",),
    Role.DEPARTMENT_OFFICER: ("county", "city", "province"),
    Role.LEADER: ("village", "township", "county", "city", "province"),
}


class User(AbstractUser):
    """A user acts in one role over one org unit and its subtree (see fangpin.accounts.access)."""

    role = models.CharField("角色", max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, null=True, related_name="users", verbose_name="所属区划"
    )
    department = models.CharField("所属部门", max_length=32, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    @property
    def display_name(self) -> str:
        """The person's name as pages show it (姓 then 名); the login name when no name is recorded."""
        return f"{self.last_name}{self.first_name}".strip() or self.username

    def clean(self):
        super().clean()
        if self.org_unit_id is None:
            raise ValidationError({"org_unit": "用户必须绑定一个区划"})
        if self.org_unit.level not in ROLE_LEVELS[self.role]:
            raise ValidationError({"org_unit": f"{self.get_role_display()}不能绑定到{self.org_unit.get_level_display()}级"})
