"""The steps of one engine cycle, and what they are handed: a `CycleContext` and an `OrderSender`.

Each step module (`polling`, `parenting`, `releasing`, `closing`) is a set of functions of the context; none
imports the engine or another step. Sending, splitting and cancelling go through the one `OrderSender`.
"""
