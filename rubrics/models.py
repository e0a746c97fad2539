# Rubrics, criteria, scores and re-score jobs arrive with the rubrics issue.
