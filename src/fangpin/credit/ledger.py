"""小额信贷台账 in the exchange format: three sheets, 贷款, 还款 and 风险补偿 (docs/ledgers.md)."""
from __future__ import annotations

from fangpin.exchange.spec import Field, Sheet
from fangpin.ledgers.base import Binding, Ledger, Ref
from fangpin.registry.choices import Category
from fangpin.registry.models import Member

from . import measures
from .choices import LoanUse
from .models import Compensation, Loan, Repayment

LOANS = Sheet(
    "credit_loans", "贷款",
    (
        Field("code", "贷款编号", "string", True, max_length=40, description="贷款合同号"),
        Field("id_number", "借款人身份证号", "id_number", True,
              description="户籍系统中脱贫户或监测户的成员，所在村在导入者管辖范围内"),
        Field("bank", "贷款银行", "string", True, max_length=100),
        Field("issued_on", "发放日期", "date", True),
        Field("due_on", "到期日期", "date", True),
        Field("amount", "贷款金额", "money", True),
        Field("rate", "年利率（%）", "decimal", True, minimum=0, maximum=100, description="0至100，如 3.85 表示年利率3.85%"),
        Field("use", "贷款用途", "enum", True, LoanUse),
        Field("top_up", "追加贷款", "boolean", description="对确有需要且具备还款能力的追加贷款填“是”"),
        Field("extended_to", "展期至", "date", description="办理展期的，填展期后的到期日期"),
        Field("subsidized", "财政贴息", "boolean"),
        Field("note", "备注", "string", max_length=200),
    ),
    "每笔贷款一行；按贷款编号新增或更新",
    ("code",),
)

REPAYMENTS = Sheet(
    "credit_repayments", "还款",
    (
        Field("loan_code", "贷款编号", "string", True, max_length=40),
        Field("repaid_on", "还款日期", "date", True),
        Field("principal", "还款本金", "money", True),
    ),
    "每笔还款一行；导入时，文件中出现的贷款的还款记录整体替换",
    ("loan_code",),
)

COMPENSATIONS = Sheet(
    "credit_compensations", "风险补偿",
    (
        Field("loan_code", "贷款编号", "string", True, max_length=40),
        Field("applied_on", "申请日期", "date", True),
        Field("amount", "代偿金额", "money", True),
        Field("compensated_on", "代偿日期", "date", description="风险补偿金代偿到账之日；未代偿的留空，不计入还款"),
    ),
    "每笔风险补偿代偿一行；导入时，文件中出现的贷款的风险补偿记录整体替换",
    ("loan_code",),
)


def _not_after_today(sheet: Sheet, row: dict, today, *keys) -> list[tuple[str, str]]:
    return [(k, f"“{sheet.field(k).header}”不能晚于今天") for k in keys if row.get(k) and row[k] > today]


def _positive(sheet: Sheet, row: dict, key: str) -> list[tuple[str, str]]:
    return [(key, f"“{sheet.field(key).header}”应大于0")] if row.get(key) == 0 else []


def _loan_problems(row: dict, today) -> list[tuple[str, str]]:
    """Issued no later than today, due after it was issued, extended beyond the due day (the table's checks)."""
    out = _positive(LOANS, row, "amount") + _not_after_today(LOANS, row, today, "issued_on")
    issued, due, extended = row.get("issued_on"), row.get("due_on"), row.get("extended_to")
    if issued and due and due <= issued:
        out.append(("due_on", f"“到期日期”应晚于“发放日期”（{issued:%Y-%m-%d}）"))
    if due and extended and extended <= due:
        out.append(("extended_to", f"“展期至”应晚于“到期日期”（{due:%Y-%m-%d}）"))
    return out


def _repayment_problems(row: dict, today) -> list[tuple[str, str]]:
    return _positive(REPAYMENTS, row, "principal") + _not_after_today(REPAYMENTS, row, today, "repaid_on")


def _compensation_problems(row: dict, today) -> list[tuple[str, str]]:
    out = _positive(COMPENSATIONS, row, "amount")
    out += _not_after_today(COMPENSATIONS, row, today, "applied_on", "compensated_on")
    applied, paid = row.get("applied_on"), row.get("compensated_on")
    if applied and paid and paid < applied:
        out.append(("compensated_on", f"“代偿日期”不能早于“申请日期”（{applied:%Y-%m-%d}）"))
    return out


# 脱贫人口小额信贷 lends to lifted and monitored households (双发〔2022〕67号 2: 脱贫户和边缘易致贫户; 陇县十条 九: 脱贫户、监测户)
BORROWER = Ref("member", Member, "id_number", area="household__village_id",
               only={"household__category__in": [Category.LIFTED, Category.MONITORED]},
               missing="身份证号“{}”不是户籍系统中脱贫户或监测户的成员")
LOAN = Ref("loan", Loan, "code", sheet=LOANS.key, area=measures.AREA, missing="贷款编号“{}”在文件和系统中都没有登记")

LEDGER = Ledger(
    key="credit",
    title="小额信贷台账",
    description="脱贫户、监测户的小额信贷：贷款、还款、展期和风险补偿代偿",
    bindings=(
        Binding(LOANS, Loan, area="id_number", refs={"id_number": BORROWER}, order=("issued_on", "code"),
                problems=_loan_problems,
                shown=(("贷款余额（元）", measures.balance_shown), ("还款状态", measures.state_shown)),
                annotate=measures.annotate_paid),
        Binding(REPAYMENTS, Repayment, area="loan_code", refs={"loan_code": LOAN}, mode="replace", parent="loan_code",
                order=("loan__code", "repaid_on", "pk"), problems=_repayment_problems),
        Binding(COMPENSATIONS, Compensation, area="loan_code", refs={"loan_code": LOAN}, mode="replace",
                parent="loan_code", order=("loan__code", "applied_on", "pk"), problems=_compensation_problems),
    ),
    checks="checks.yaml",
    summary=measures.lending_by_unit,
    summary_template="ledgers/credit_summary.html",
)
