"""Checkers for the book's coding exercises: ``helpers.check.<name>(answer)`` says in plain words
whether an answer is right. Each chapter's checkers live in a submodule and are re-exported here.
"""
from ._core import Verdict, accuracy_function, call_answer  # noqa: F401
from .concepts import (bpe_merge, budget_width, compute_optimal_size, context_param_count,  # noqa: F401
                       conv_output_size, embedding_balance_width, frequency_bin, gamma_accuracies,
                       gpt_block_params, identity_network_accuracy, linear_predict, mlp_param_count,
                       shifted_accuracies, temperature_softmax, trend_extrapolation)
from .efficiency import attention_score_bytes, int8_symmetric, moe_parameters  # noqa: F401
from .optim import clip_global_norm, gd_step, scaled_rate, soft_threshold, stable_rate  # noqa: F401
from .math import (backprop_gradients, dense_layer, init_std, mlp_forward, perplexity, sigmoid,  # noqa: F401
                   softmax_overflow, stable_bce, stable_softmax)
from .trends import (chinchilla_bill, clip_per_example, integrated_gradients_function,  # noqa: F401
                     params_for_loss, power_law_exponent, training_flops)
from .trends import data_parallel_batch  # noqa: F401
from .worked import (malignant_precision_recall, random_search_draws, range_guard,  # noqa: F401
                     small_network, source_param_counts, standardiser)

__all__ = ["Verdict", "call_answer", "accuracy_function"]
