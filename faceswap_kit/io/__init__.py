"""The I/O edge: files and arrays in, tensors out (and back). uint8/BGR/HWC live only here."""

from .convert import image_to_tensor, images_to_tensor, mask_to_tensor, tensor_to_image
from .images import list_images, read_image, write_image
from .video import VideoReader, VideoWriter, write_video

__all__ = [
    "VideoReader",
    "VideoWriter",
    "image_to_tensor",
    "images_to_tensor",
    "list_images",
    "mask_to_tensor",
    "read_image",
    "tensor_to_image",
    "write_image",
    "write_video",
]
