"""nbgrader for a learner: fetch, submit and fetch feedback through the course's exchange."""

import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.Exchange.root = os.environ["SAFETYRATER_EXCHANGE"]
c.CourseDirectory.course_id = os.environ.get("SAFETYRATER_COURSE_ID", "safetyrater")
# nbgrader leaves a submission readable by every account that learns its
# (random) folder name; this submit keeps it to the learner and the instructor.
c.ExchangeFactory.submit = "safetyrater.nbgrader.exchange.PrivateExchangeSubmit"
