"""nbgrader for the instructor: the course checkout's own configuration, plus the exchange."""

import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

course = os.environ["SAFETYRATER_ROOT"]
load_subconfig(os.path.join(course, "graders", "nbgrader_config.py"))  # noqa: F821
c.Exchange.root = os.environ["SAFETYRATER_EXCHANGE"]
c.CourseDirectory.course_id = os.environ.get("SAFETYRATER_COURSE_ID", "safetyrater")
