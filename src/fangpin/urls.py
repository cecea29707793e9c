from django.contrib.auth import views as auth_views
from django.urls import path

from fangpin.api.routes import api
from fangpin.web import monitoring_views, views

handler403 = "fangpin.web.views.permission_denied"
handler404 = "fangpin.web.views.page_not_found"
handler500 = "fangpin.web.views.server_error"

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/members/new/", views.member_create, name="member_create"),
    path("households/<int:pk>/accounts/", views.payee_account_set, name="payee_account_set"),
    path("enterprises/<int:pk>/account/", views.enterprise_account_set, name="enterprise_account_set"),
    path("households/<int:pk>/members/<int:member_pk>/edit/", views.member_edit, name="member_edit"),
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("import/", views.import_page, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/jobs/<int:pk>/", views.import_job, name="import_job"),
    path("import/jobs/<int:pk>/report.xlsx", views.import_job_report, name="import_job_report"),
    path("export/", views.export, name="export"),
    path("exports/", views.export_jobs, name="export_jobs"),
    path("exports/<int:pk>.xlsx", views.export_job_file, name="export_job_file"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/roster/", views.benefit_roster, name="benefit_roster"),
    path("monitoring/income/", views.income_accounting, name="income_accounting"),
    path("monitoring/income/households/", monitoring_views.income_flag_list, name="income_flag_list"),
    path("monitoring/", monitoring_views.monitoring_home, name="monitoring_home"),
    path("monitoring/feeds/", monitoring_views.feeds_page, name="feeds"),
    path("monitoring/runs/<int:pk>/", monitoring_views.screening_run, name="screening_run"),
    path("monitoring/warnings/", monitoring_views.warning_list, name="warning_list"),
    path("monitoring/cases/", monitoring_views.case_list, name="case_list"),
    path("monitoring/measures/", monitoring_views.measure_list, name="measure_list"),
    path("monitoring/cadres/", monitoring_views.cadre_list, name="cadre_list"),
    path("monitoring/cadres/<int:pk>/", monitoring_views.cadre_edit, name="cadre_edit"),
    path("monitoring/warnings/<int:pk>/", monitoring_views.warning_detail, name="warning_detail"),
    path("monitoring/cases/<int:pk>/", monitoring_views.case_detail, name="case_detail"),
    path("households/<int:pk>/monitoring/", monitoring_views.household_monitoring, name="household_monitoring"),
    path("households/<int:pk>/plan/", monitoring_views.household_plan, name="household_plan"),
    path("households/<int:pk>/plan.pdf", monitoring_views.household_plan, {"pdf": True}, name="household_plan_pdf"),
    path("policies/<str:doc_id>/", views.policy_detail, name="policy_detail"),
    path("policies/<str:doc_id>/simulate/", views.policy_simulate, name="policy_simulate"),
    path("policies/<str:doc_id>/audit/", views.policy_audit, name="policy_audit"),
    path("api/", api.urls),
]
