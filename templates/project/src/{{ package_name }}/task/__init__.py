"""The kind of prediction this project makes, and everything that depends on it.

`settings` (the task's configuration keys), `metrics`, `target` (labels and random splits),
`scoring` (a bundle's answer), `model` (fitting, the baseline and the step after it),
`evaluation`, `answers` (the service's answer and batch output), `quality` (monitoring) and
`card` (the model card's plots): the shared modules call these and never ask which task they
serve. They import nothing of the package above them.
"""
