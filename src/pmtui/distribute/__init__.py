"""Distribution and review: the procedure's "write and distribute" step.

- signoff: reviewers' approvals and the status draft -> in review -> published
- invite: .ics invitations for the review meeting and the follow-up review
- html: a self-contained HTML report (email, wiki paste)
- publish: the report as a pull request (or an issue) through PyGithub

Domain code: no Textual, no Rich; PyGithub is imported only by publish.
"""
