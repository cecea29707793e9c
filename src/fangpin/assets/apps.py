from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "fangpin.assets"
    verbose_name = "扶贫项目资产与光伏收益"
