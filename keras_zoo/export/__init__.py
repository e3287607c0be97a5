"""Export to SavedModel, TFLite (LiteRT) and ONNX, verified on write.

    from keras_zoo.export import export_model
    report = export_model(model, "model.tflite", format="tflite")
"""

from keras_zoo.export.export_and_verify import export_model
from keras_zoo.export.formats import FORMATS
from keras_zoo.export.verification import ExportReport, ExportVerificationError

__all__ = ["export_model", "FORMATS", "ExportReport", "ExportVerificationError"]
