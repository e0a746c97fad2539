# The Ideal Customer Profile and its items arrive with the workshop issue.
