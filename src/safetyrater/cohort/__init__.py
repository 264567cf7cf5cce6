"""Cohort tools for instructors: grade every learner fast, report calibration, export.

One module per step, in the order data flows:

* :mod:`.collect`   find each learner's answer file in an nbgrader course folder;
* :mod:`.grade`     score them all with the one grading core (no kernels);
* :mod:`.gradebook` write those scores into nbgrader's gradebook;
* :mod:`.stats`     calibration per learner, per case and for the cohort;
* :mod:`.report`    the HTML report with plots, and CSV tables;
* :mod:`.lms`       gradebook CSVs that Canvas and Moodle import;
* :mod:`.demo`      a synthetic cohort with known profiles;
* :mod:`.dashboard` what the instructor dashboard notebook calls.
"""
