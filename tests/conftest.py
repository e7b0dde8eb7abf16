"""Shared test set-up: import helpers first, so TensorFlow is quiet in every test process."""
import helpers  # noqa: F401  (sets TensorFlow's environment before anything imports it)
