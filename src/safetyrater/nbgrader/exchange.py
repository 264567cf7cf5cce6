"""nbgrader's exchange with submissions private to their learner and the instructor.

nbgrader's default ``submit`` copies a learner's work into the exchange's
``inbound/`` folder and makes every file readable by all accounts; what keeps
it from other learners is only that ``inbound/`` cannot be listed and the
submission's folder name ends in a random string. On a shared machine that is
one leaked name away from a copied answer.

:class:`PrivateExchangeSubmit` then takes read access away from other
accounts. ``inbound/`` belongs to the instructor's group and has the set-group-id
bit (nbgrader creates it so), so a submission's files belong to that group
too: the instructor still collects them, other learners cannot open them even
by name. Where the group is not the instructor's (an exchange laid out by
hand), nbgrader's own permissions are kept and a warning says why.

Learners' nbgrader configuration selects it (``deploy/hub/jupyter/learner``)::

    c.ExchangeFactory.submit = "safetyrater.hubexchange.PrivateExchangeSubmit"
"""

from __future__ import annotations

import os
import stat

from nbgrader.exchange.default.submit import ExchangeSubmit

#: files: the learner reads and writes, the instructor's group reads, others nothing
FILE_MODE = 0o640
#: folders: closed to others; the instructor's group may delete them after collecting (as nbgrader intends)
DIR_MODE = 0o770


class PrivateExchangeSubmit(ExchangeSubmit):
    """``nbgrader submit`` whose submission other learners cannot read."""

    def copy_files(self) -> None:
        super().copy_files()
        submission = os.path.join(self.inbound_path, self.assignment_filename)
        inbound_group = os.stat(self.inbound_path).st_gid
        if os.stat(submission).st_gid != inbound_group or inbound_group == os.getgid():
            self.log.warning(
                "Submission %s does not belong to the instructor's group; keeping nbgrader's permissions", submission
            )
            return
        # The submission's folder shuts out other accounts. Files nbgrader writes after
        # copying (timestamp.txt, submission_secret.txt) may carry the learner's own
        # group, which the instructor must still read: those keep nbgrader's mode and
        # are reached only through the closed folder.
        for dirpath, _, filenames in os.walk(submission):
            for name in filenames:
                path = os.path.join(dirpath, name)
                if os.stat(path).st_gid == inbound_group:
                    os.chmod(path, FILE_MODE)
            os.chmod(dirpath, DIR_MODE | (os.stat(dirpath).st_mode & stat.S_ISGID))
