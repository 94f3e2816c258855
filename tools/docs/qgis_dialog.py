#!/usr/bin/python3
"""Renders the QGIS plugin's "Super-resolve raster" dialog headless into a PNG, the README's screenshot:

    /usr/bin/python3 tools/docs/qgis_dialog.py docs/qgis-superresolve.png

The plugin comes straight from qgis/satsr, in a throwaway QGIS configuration; it asks ./satsr for the model names."""

import os
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
scratch = tempfile.TemporaryDirectory()
runtime = os.path.join(scratch.name, "runtime")
os.mkdir(runtime, 0o700)   # Qt refuses a runtime folder that others may read
os.environ.update(QT_QPA_PLATFORM="offscreen", QGIS_CUSTOM_CONFIG_PATH=scratch.name, XDG_RUNTIME_DIR=runtime,
                  XDG_CONFIG_HOME=scratch.name, XDG_CACHE_HOME=scratch.name, XDG_DATA_HOME=scratch.name)
os.environ.setdefault("SATSR_PROGRAM", os.path.join(root, "satsr"))

from osgeo import gdal  # noqa: E402
from qgis.core import QgsApplication, QgsProject, QgsRasterLayer  # noqa: E402

application = QgsApplication([], True)
application.initQgis()
sys.path[:0] = ["/usr/share/qgis/python/plugins", os.path.join(root, "qgis")]
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
import satsr  # noqa: E402

plugin = satsr.classFactory(None)
plugin.initProcessing()
# A copy: QGIS writes an .aux.xml beside a raster it opens.
town = os.path.join(scratch.name, "cbers2b_pan_town.tif")
gdal.Translate(town, os.path.join(root, "tests", "SatSR.Tests", "Fixtures", "cbers2b_pan_town_256.tif"))
QgsProject.instance().addMapLayer(QgsRasterLayer(town, "cbers2b_pan_town"))

from processing.gui.AlgorithmDialog import AlgorithmDialog  # noqa: E402

dialog = AlgorithmDialog(QgsApplication.processingRegistry().createAlgorithmById("satsr:superresolve"), False, None)
dialog.resize(1000, 940)
dialog.show()
for _ in range(20):
    application.processEvents()
dialog.grab().save(sys.argv[1])
application.exitQgis()
scratch.cleanup()
