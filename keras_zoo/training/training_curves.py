"""A PNG of the training curves, redrawn from the metrics CSV at each epoch
end (so a resumed run's plot covers every epoch)."""

import keras

from keras_zoo.training.epoch_csv_logger import read_metrics_csv


def plot_training_curves(csv_path, png_path, title=""):
    """Draws one panel per metric (loss, accuracy, ...), train and
    validation curves together, from a metrics CSV."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    from matplotlib import pyplot

    rows = read_metrics_csv(csv_path)
    if not rows:
        return
    epochs = [row["epoch"] + 1 for row in rows]
    metrics = [key for key in rows[0] if key != "epoch" and not key.startswith("val_") and key != "learning_rate"]
    figure, axes = pyplot.subplots(1, len(metrics), figsize=(5 * len(metrics), 4), squeeze=False)
    for axis, metric in zip(axes[0], metrics):
        axis.plot(epochs, [row[metric] for row in rows], label=f"train {metric}")
        if f"val_{metric}" in rows[0]:
            axis.plot(epochs, [row[f"val_{metric}"] for row in rows], label=f"validation {metric}")
        axis.set_xlabel("epoch")
        axis.set_title(metric)
        axis.grid(alpha=0.3)
        axis.legend()
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(png_path, dpi=100)
    pyplot.close(figure)


class TrainingCurvesPlot(keras.callbacks.Callback):
    """Calls `plot_training_curves(csv_path, png_path)` after each epoch;
    place it after the logger that writes `csv_path`."""

    def __init__(self, csv_path, png_path, title=""):
        super().__init__()
        self.csv_path = csv_path
        self.png_path = png_path
        self.title = title

    def on_epoch_end(self, epoch, logs=None):
        plot_training_curves(self.csv_path, self.png_path, self.title)
