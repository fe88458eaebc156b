"""Small image helpers shared by the vision stages: grey conversion, ink masks, rotation.

Convention: images are numpy arrays as OpenCV holds them (BGR or grey, uint8); an *ink mask* is a
uint8 array with 255 where something is printed and 0 on paper.
"""

from __future__ import annotations

import cv2
import numpy as np


def to_grey(image: np.ndarray) -> np.ndarray:
    """Grey image in which red seal stamps fade to paper.

    Official forms carry red 公章 over the table; in the red channel red ink is as bright as paper
    while black print and blue/black handwriting stay dark. Using the red channel (rather than a
    luminance mix) removes stamps from line finding and recognition at no cost.
    """
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        image = image[:, :, :3]
    red = image[:, :, 2]
    step = max(1, min(image.shape[:2]) // 400)  # a sample is enough to tell a colour scan
    sample = image[::step, ::step].astype(np.int16)
    coloured = int((np.abs(sample[:, :, 2] - sample[:, :, 0]) > 40).sum())
    if coloured < 20:  # an effectively grey scan: plain luminance keeps more contrast
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return np.ascontiguousarray(red)


def ink_mask(grey: np.ndarray, dpi: float) -> np.ndarray:
    """Binarise a scan: 255 where ink is, robust to uneven lighting, speckle noise and faint print.

    An adaptive threshold over a window of about a character's size follows paper shading; a
    global Otsu floor stops the adaptive step from turning paper texture into ink.
    """
    smooth = cv2.GaussianBlur(grey, (3, 3), 0)  # a median filter would erase 1 px rules
    block = max(15, int(dpi * 0.2) | 1)
    adaptive = cv2.adaptiveThreshold(smooth, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)
    otsu_level, _ = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Anything brighter than midway between Otsu's split and white is paper, whatever its neighbourhood.
    paper = smooth > (otsu_level + 255) / 2
    adaptive[paper] = 0
    return adaptive


def rotate_quarter(image: np.ndarray, quarter_turns_ccw: int) -> np.ndarray:
    """Rotate by a multiple of 90° counter-clockwise, without resampling."""
    turns = quarter_turns_ccw % 4
    if turns == 0:
        return image
    code = {1: cv2.ROTATE_90_COUNTERCLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_CLOCKWISE}[turns]
    return cv2.rotate(image, code)


def rotate_small(image: np.ndarray, degrees_ccw: float) -> np.ndarray:
    """Rotate about the centre by a small angle, same canvas size, paper-white border."""
    if abs(degrees_ccw) < 1e-3:
        return image
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees_ccw, 1.0)
    border = 255 if image.ndim == 2 else (255, 255, 255)
    return cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border
    )


def downscale(image: np.ndarray, factor: float) -> np.ndarray:
    if factor >= 1.0:
        return image
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
