"""The local SageMaker emulator: moto's server plus our extension, as strict as AWS for
everything this project uses. See :mod:`reconciler.emulator.app` for how a request flows.
"""
