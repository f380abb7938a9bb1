"""Releasing Keras' state between trials, on every backend.

``release_keras_state()`` runs before each model a trial builds and after the last one. It
calls ``keras.backend.clear_session(free_memory=False)``: Keras' global state (layer names, the
functional graph, TensorFlow's default graph and kernel cache, torch's dynamo cache) is reset,
without a full garbage collection (~0.2 s per trial with torch loaded, and nothing here needs
it; ``tests/integrations/test_keras_memory.py``).

On the jax backend that is not enough: JAX's in-memory compilation caches keep every trial's
traced and compiled train and test steps, although no later model calls them again. On a small
MLP (digits, Dense(16)) a process grew by 4-10 MB per trial, 200 trials taking it from 1.0 to
2.3 GB. Every ``JAX_CLEAR_EVERY``-th release therefore also calls ``jax.clear_caches()``: the
same search stays within ~0.1-0.5 MB per trial. Not at every release: what the next trial
compiles again (its initializers and other small operations) would cost ~0.15 s per trial,
half the time of such a small job on 2 cores. Clearing changes no result; a model still in use
compiles its steps again when it next runs. JAX's persistent compilation cache (on disk) is
not touched.

Example::

    for values in configurations:
        release_keras_state()
        model = build(values)
"""

from __future__ import annotations

from rung.integrations.keras._imports import import_keras

__all__ = ["JAX_CLEAR_EVERY", "release_keras_state"]

keras = import_keras()

JAX_CLEAR_EVERY = 10
_releases = 0  # release_keras_state calls in this process (on jax)


def release_keras_state() -> None:
    """Forget Keras' global state; on jax, JAX's compilation caches too, every
    ``JAX_CLEAR_EVERY``-th call (see the module doc)."""
    global _releases
    keras.backend.clear_session(free_memory=False)
    if keras.backend.backend() != "jax":
        return
    _releases += 1
    if _releases % JAX_CLEAR_EVERY == 0:
        import jax

        jax.clear_caches()
