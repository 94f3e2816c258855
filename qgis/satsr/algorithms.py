"""The Processing algorithms: each turns its parameters into one satsr command line and runs it (program.run)."""

import json
import subprocess

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBand,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessing,
    QgsProviderRegistry,
)

from . import program

DEFAULT_MODEL = "satsr-sat-x4"
_models = None


def zoo_models():
    """The names `satsr models list` prints, asked once per QGIS session; only the default when satsr cannot answer."""
    global _models
    if _models is None:
        try:
            _models = [line.split()[0] for line in program.ask(["models", "list"], timeout=60)[1:] if line.strip()] or [DEFAULT_MODEL]
        except (OSError, subprocess.SubprocessError, QgsProcessingException):
            _models = [DEFAULT_MODEL]
    return _models


def raster_path(algorithm, parameters, name, context):
    """The file behind a raster layer parameter: satsr reads files through GDAL, not QGIS layers."""
    layer = algorithm.parameterAsRasterLayer(parameters, name, context)
    if layer is None:
        raise QgsProcessingException(f"{name}: not a raster layer or file")
    return layer_path(layer, name)


def layer_path(layer, name):
    if layer.providerType() != "gdal":
        raise QgsProcessingException(f"{name}: {layer.name()} is a {layer.providerType()} layer; satsr reads files (save it as a GeoTIFF first)")
    return QgsProviderRegistry.instance().decodeUri("gdal", layer.source())["path"]


def _advanced(parameter):
    parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
    return parameter


class _SatsrAlgorithm(QgsProcessingAlgorithm):
    """What the three share: a model chosen from the zoo or given as a file."""

    MODEL, MODEL_FILE = "MODEL", "MODEL_FILE"

    def group(self):
        return ""

    def groupId(self):  # noqa: N802 (QGIS's name)
        return ""

    def createInstance(self):  # noqa: N802
        return type(self)()

    # The first choice names no model, so satsr takes its own default for the scale (satsr-sat-x2 at ×2).
    OWN = "SatSR's own for the scale (satsr-sat-x4; satsr-sat-x2 at ×2)"

    def add_model(self, description):
        self.addParameter(QgsProcessingParameterEnum(self.MODEL, description, options=[self.OWN] + zoo_models(), defaultValue=0))
        self.addParameter(QgsProcessingParameterFile(self.MODEL_FILE, "…or a model file (.onnx, .pth, ncnn .param; instead of the above)",
                                                     optional=True))

    def model_name(self, parameters, context):
        """The model file, else the zoo name chosen; None for satsr's own for the scale."""
        if path := self.parameterAsFile(parameters, self.MODEL_FILE, context):
            return path
        choice = self.parameterAsEnum(parameters, self.MODEL, context)
        return zoo_models()[choice - 1] if choice > 0 else None

    def model(self, parameters, context):
        """The --model arguments; none for satsr's own for the scale."""
        name = self.model_name(parameters, context)
        return ["--model", name] if name else []


class SuperResolveAlgorithm(_SatsrAlgorithm):
    INPUT, OUTPUT = "INPUT", "OUTPUT"
    SCALES = ["the model's", "2", "3", "4"]
    PRECISIONS = ["fp32", "fp16", "int8"]
    FORMATS = ["gtiff", "cog"]
    DEVICES = ["auto", "cpu", "cuda", "tensorrt"]

    def name(self):
        return "superresolve"

    def displayName(self):  # noqa: N802
        return "Super-resolve raster"

    def shortHelpString(self):  # noqa: N802
        return ("Runs satsr upscale: the raster super-resolved ×2, ×3 or ×4 (or any factor with Output scale) by a "
                "Real-ESRGAN-family network, tile by tile with blended seams, into a tiled, compressed GeoTIFF or COG "
                "with the input's data type, bands, nodata and georeference. Cancel keeps the finished part: run again "
                "with Resume to continue.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, "Input raster"))
        self.add_model("Model (satsr models list)")
        self.addParameter(QgsProcessingParameterEnum("SCALE", "Scale", options=self.SCALES, defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber("OUTSCALE", "Output scale, any factor ≥ 1 (instead of Scale)",
                                                       QgsProcessingParameterNumber.Double, optional=True, minValue=1))
        self.addParameter(QgsProcessingParameterBand("BANDS", "Bands (the first three go to the network as RGB)",
                                                     parentLayerParameterName=self.INPUT, optional=True, allowMultiple=True))
        self.addParameter(QgsProcessingParameterString("NODATA", "Nodata: a value, or none (empty: the file's own)", optional=True))
        self.addParameter(QgsProcessingParameterEnum("PRECISION", "Precision", options=self.PRECISIONS, defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum("FORMAT", "Format", options=["GeoTIFF (tiled)", "Cloud-Optimized GeoTIFF"], defaultValue=0))
        self.addParameter(QgsProcessingParameterString("OVERVIEWS", "Overviews: auto, none, or factors such as 2,4,8", defaultValue="auto"))
        self.addParameter(QgsProcessingParameterBoolean("RESUME", "Resume an interrupted run of the same input and options", defaultValue=False))
        self.addParameter(_advanced(QgsProcessingParameterNumber("TILE", "Tile size in input pixels (empty: from the memory budget)",
                                                                 QgsProcessingParameterNumber.Integer, optional=True, minValue=1)))
        self.addParameter(_advanced(QgsProcessingParameterString("MEMORY", "Memory for tiles in flight, e.g. 2G (empty: a quarter of RAM, at most 8G)", optional=True)))
        self.addParameter(_advanced(QgsProcessingParameterEnum("DEVICE", "Device", options=self.DEVICES, defaultValue=0)))
        self.addParameter(_advanced(QgsProcessingParameterBoolean("OVERWRITE", "Replace an existing output file", defaultValue=False)))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, "Super-resolved raster"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        arguments = ["upscale", raster_path(self, parameters, self.INPUT, context), output,
                     *self.model(parameters, context),
                     "--precision", self.PRECISIONS[self.parameterAsEnum(parameters, "PRECISION", context)],
                     "--format", self.FORMATS[self.parameterAsEnum(parameters, "FORMAT", context)],
                     "--overviews", self.parameterAsString(parameters, "OVERVIEWS", context) or "auto",
                     "--device", self.DEVICES[self.parameterAsEnum(parameters, "DEVICE", context)]]
        if scale := self.parameterAsEnum(parameters, "SCALE", context):
            arguments += ["--scale", self.SCALES[scale]]
        if parameters.get("OUTSCALE") is not None:
            arguments += ["--outscale", repr(self.parameterAsDouble(parameters, "OUTSCALE", context))]
        if bands := self.parameterAsInts(parameters, "BANDS", context):
            arguments += ["--bands", ",".join(map(str, bands))]
        if nodata := self.parameterAsString(parameters, "NODATA", context).strip():
            arguments += ["--nodata", nodata]
        if parameters.get("TILE") is not None:
            arguments += ["--tile", str(self.parameterAsInt(parameters, "TILE", context))]
        if memory := self.parameterAsString(parameters, "MEMORY", context).strip():
            arguments += ["--memory", memory]
        for flag in ("RESUME", "OVERWRITE"):
            if self.parameterAsBoolean(parameters, flag, context):
                arguments.append("--" + flag.lower())
        program.run(arguments, feedback)
        return {self.OUTPUT: output}


class EvaluateAlgorithm(_SatsrAlgorithm):
    INPUT, OUTPUT = "INPUT", "OUTPUT"
    DEGRADATIONS = ["area", "mtf"]
    CONSISTENCY = ["the model's default", "on", "off"]

    def name(self):
        return "evaluate"

    def displayName(self):  # noqa: N802
        return "Evaluate a model"

    def shortHelpString(self):  # noqa: N802
        return ("Runs satsr eval: degrades a high-resolution raster by the scale, super-resolves it back and scores "
                "the model against the original (PSNR, SSIM), next to bicubic and Lanczos. The figures go to the log, "
                "to the JSON file and to the algorithm's outputs.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, "High-resolution reference raster"))
        self.add_model("Model (satsr models list)")
        self.addParameter(QgsProcessingParameterEnum("SCALE", "Scale", options=["2", "3", "4"], defaultValue=2))
        self.addParameter(QgsProcessingParameterString("REGION", "Region x,y,w,h in pixels (empty: the default window)", optional=True))
        self.addParameter(QgsProcessingParameterEnum("DEGRADATION", "Degradation", options=self.DEGRADATIONS, defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum("CONSISTENCY", "Consistency correction", options=self.CONSISTENCY, defaultValue=0))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT, "Figures (JSON)", "JSON files (*.json)"))
        for method in ("MODEL", "BICUBIC", "LANCZOS"):
            self.addOutput(QgsProcessingOutputNumber(f"{method}_PSNR", f"{method.lower()} PSNR (dB)"))
            self.addOutput(QgsProcessingOutputNumber(f"{method}_SSIM", f"{method.lower()} SSIM"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        arguments = ["eval", raster_path(self, parameters, self.INPUT, context),
                     *self.model(parameters, context),
                     "--scale", str(2 + self.parameterAsEnum(parameters, "SCALE", context)),
                     "--degradation", self.DEGRADATIONS[self.parameterAsEnum(parameters, "DEGRADATION", context)],
                     "--json", output]
        if region := self.parameterAsString(parameters, "REGION", context).strip():
            arguments += ["--region", region]
        arguments += {1: ["--consistency"], 2: ["--no-consistency"]}.get(self.parameterAsEnum(parameters, "CONSISTENCY", context), [])
        program.run(arguments, feedback)
        with open(output, encoding="utf-8") as f:
            figures = json.load(f)
        results = {self.OUTPUT: output}
        for method in ("model", "bicubic", "lanczos"):
            results[f"{method.upper()}_PSNR"] = figures[method]["psnr"]
            results[f"{method.upper()}_SSIM"] = figures[method]["ssim"]
        return results


class TrainAlgorithm(_SatsrAlgorithm):
    INPUTS, OUTPUT = "INPUTS", "OUTPUT"
    DEGRADATIONS = ["area", "mtf", "mixed", "realesrgan"]

    def name(self):
        return "finetune"

    def displayName(self):  # noqa: N802
        return "Fine-tune a model"

    def shortHelpString(self):  # noqa: N802
        return ("Runs satsr train: fine-tunes a model on your own high-resolution rasters (low-resolution patches made "
                "by the degradation) and writes the result as a .pth that Super-resolve raster takes as its model file. "
                "Cancel saves a checkpoint: run again with Resume to continue. The first run builds the trainer "
                "(it downloads TorchSharp, ≈270 MB).")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterMultipleLayers(self.INPUTS, "High-resolution rasters", QgsProcessing.TypeRaster))
        self.add_model("Base model")
        self.addParameter(QgsProcessingParameterNumber("STEPS", "Steps", QgsProcessingParameterNumber.Integer, defaultValue=2000, minValue=1))
        self.addParameter(QgsProcessingParameterEnum("DEGRADATION", "Degradation", options=self.DEGRADATIONS, defaultValue=0))
        self.addParameter(_advanced(QgsProcessingParameterNumber("BATCH", "Patches per step", QgsProcessingParameterNumber.Integer, defaultValue=8, minValue=1)))
        self.addParameter(_advanced(QgsProcessingParameterNumber("PATCH", "Patch side in pixels", QgsProcessingParameterNumber.Integer, defaultValue=128, minValue=8)))
        self.addParameter(_advanced(QgsProcessingParameterNumber("SEED", "Seed", QgsProcessingParameterNumber.Integer, defaultValue=0)))
        self.addParameter(QgsProcessingParameterBoolean("RESUME", "Resume from the output's checkpoint", defaultValue=False))
        self.addParameter(_advanced(QgsProcessingParameterBoolean("OVERWRITE", "Replace an existing output file", defaultValue=False)))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT, "Fine-tuned model", "PyTorch weights (*.pth)"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        layers = self.parameterAsLayerList(parameters, self.INPUTS, context)
        inputs = [layer_path(layer, self.INPUTS) for layer in layers]
        arguments = ["train", *inputs, "--base", self.model_name(parameters, context) or DEFAULT_MODEL, "--output", output,
                     "--steps", str(self.parameterAsInt(parameters, "STEPS", context)),
                     "--batch", str(self.parameterAsInt(parameters, "BATCH", context)),
                     "--patch", str(self.parameterAsInt(parameters, "PATCH", context)),
                     "--seed", str(self.parameterAsInt(parameters, "SEED", context)),
                     "--degradation", self.DEGRADATIONS[self.parameterAsEnum(parameters, "DEGRADATION", context)]]
        for flag in ("RESUME", "OVERWRITE"):
            if self.parameterAsBoolean(parameters, flag, context):
                arguments.append("--" + flag.lower())
        program.run(arguments, feedback)
        return {self.OUTPUT: output}
