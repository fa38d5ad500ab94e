"""The workspace: server-rendered pages where members, partners and reviewers work.

Views read through the selectors and act through the services of `workflow.services`. One module
per job: `dashboard` (the home page), `proposals` (the project page and the project's
transitions), `partners` (a centre's answers: invitations, requests, mandate, agreement);
`_common` holds what they share.
"""
