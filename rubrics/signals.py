"""What rubrics tells the apps above it, without knowing them.

``qualifications_changed`` is sent once scores that changed some customers' qualification have been committed
(a re-score chunk, a changed customer re-scored). The webhooks app listens to it and sends the new
qualifications to the rubric's CRM; rubrics itself never imports webhooks.
"""

from django.dispatch import Signal

qualifications_changed = Signal()
