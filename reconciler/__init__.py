"""sagemaker-reconciler: make a SageMaker account match the manifests in git."""

__version__ = "0.1.0"
