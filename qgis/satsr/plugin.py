from qgis.core import QgsApplication

from .provider import SatsrProvider


class SatsrPlugin:
    """Registers the provider; no GUI of its own (the algorithms appear in the Processing toolbox)."""

    def __init__(self):
        self.provider = None

    def initProcessing(self):  # noqa: N802 (QGIS's name)
        self.provider = SatsrProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
