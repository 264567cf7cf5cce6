"""The case bank and the course's data files: the schema, loading and validation
(``safetyrater validate``), the grading policy, the dimensions, and the reports on the
bank (``safetyrater bank coverage``, ``safetyrater bank audit``)."""
