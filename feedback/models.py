# Surveys, responses, referrals and advocacy arrive with the feedback issue.
