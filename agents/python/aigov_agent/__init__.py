"""aigov_agent: record models, data and runs in aigovd's audit journal, and
monitor a model's inputs for drift from the serving process.

    import aigov_agent as aigov
    client = aigov.Client()        # AIGOV_TARGET, AIGOV_TOKEN, AIGOV_TLS_CA
    client.register_model_version("credit-scoring", "2.0", system_id="loans",
                                  artifact="model.pkl")
    client.put_reference_profile("credit-scoring", "2.0",
                                 aigov.ReferenceProfile.from_frame(train_df))
    monitor = client.monitor("credit-scoring", "2.0")
    monitor.observe(batch)         # never blocks, never raises

See agents/python/README.md and the project README.
"""

from aigov_agent.client import AigovError, Client, Run
from aigov_agent.monitor import Monitor
from aigov_agent.profile import (CategoricalFeature, NumericFeature,
                                 ReferenceProfile, read_csv)

__version__ = "0.1.0"
__all__ = ["AigovError", "CategoricalFeature", "Client", "Monitor",
           "NumericFeature", "ReferenceProfile", "Run", "read_csv"]
