from django.utils.translation import gettext_lazy as _

TASK_KIND = "PLAN_TASK"  # the WorkItem kind of a plan task

# The units that keep a yearly plan: the ministry's departments, the provincial departments and
# the ministries' IT units (and a province itself, for tasks given to the province as a whole).
PLAN_UNIT_TYPES = ("MINISTRY_DEPT", "PROVINCIAL_DEPT", "MINISTRY_IT_UNIT", "PROVINCE")

UNGROUPED = _("Other tasks")
