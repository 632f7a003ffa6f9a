"""Keep TensorFlow's C++ and absl log lines out of notebook outputs; import before TensorFlow.

Level 3 hides INFO, WARNING and ERROR lines from the C++ runtime (CUDA probing on a machine
without a GPU, oneDNN notices, graph attribute warnings). Python exceptions are unaffected.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
