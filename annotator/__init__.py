"""annotator: turn a folder of effect clips into a Wan i2v/kf2v LoRA fine-tuning dataset."""

__version__ = "0.1.0"
