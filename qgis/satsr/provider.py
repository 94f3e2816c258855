from processing.core.ProcessingConfig import ProcessingConfig, Setting
from qgis.core import QgsProcessingProvider

from . import program
from .algorithms import EvaluateAlgorithm, SuperResolveAlgorithm, TrainAlgorithm


class SatsrProvider(QgsProcessingProvider):
    def id(self):
        return "satsr"

    def name(self):
        return "SatSR"

    def longName(self):  # noqa: N802 (QGIS's name)
        return "SatSR super-resolution"

    def load(self):
        # Shown in Settings → Options → Processing → Providers → SatSR; `satsr qgis install` fills in its default.
        ProcessingConfig.addSetting(Setting(self.name(), program.SETTING, "satsr program (a path, or a command line)",
                                            program.installed_command(), valuetype=Setting.FILE))
        ProcessingConfig.readSettings()
        self.refreshAlgorithms()
        return True

    def unload(self):
        ProcessingConfig.removeSetting(program.SETTING)

    def loadAlgorithms(self):  # noqa: N802
        for algorithm in (SuperResolveAlgorithm(), EvaluateAlgorithm(), TrainAlgorithm()):
            self.addAlgorithm(algorithm)

    def supportedOutputRasterLayerExtensions(self):  # noqa: N802
        return ["tif"]
