# Voilà settings that are code, not data (voila.json holds the rest).
# Voilà reads this file from the app mode's config folder (safetyrater.deploy.launch).
from safetyrater.deploy.kernels import set_xsrf_cookie

# the page gets the _xsrf cookie, so its "shut my kernel down" request on leaving is accepted
c.VoilaConfiguration.prelaunch_hook = set_xsrf_cookie  # type: ignore[name-defined]  # noqa: F821
