"""SatSR's Processing provider: algorithms that run the satsr command line."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import SatsrPlugin

    return SatsrPlugin()
