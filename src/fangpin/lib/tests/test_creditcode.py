import pytest

from fangpin.lib import creditcode

# A published example: 91350100M000100Y43 (check character 3).
EXAMPLE = "91350100M000100Y43"


def test_published_example_is_valid():
    assert creditcode.validate(EXAMPLE) == EXAMPLE
    assert creditcode.validate(EXAMPLE.lower()) == EXAMPLE


@pytest.mark.parametrize("value,message", [
    (EXAMPLE[:17], "应为18位"),
    (EXAMPLE[:17] + "4", "校验位错误：应为“3”"),
    ("91350100M000100YI3", "无效字符“I”"),
    ("91ABCDEFM000100Y43", "行政区划代码"),
])
def test_rejections(value, message):
    with pytest.raises(creditcode.CreditCodeError, match=message):
        creditcode.validate(value)


def test_make_builds_valid_codes():
    code = creditcode.make("140603", "MA0123456")
    assert creditcode.validate(code) == code
