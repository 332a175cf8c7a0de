import numpy as np
import pytest


@pytest.fixture(scope="session")
def portraits() -> dict[str, np.ndarray]:
    """The two public-domain portraits that ship inside our dependencies (one face each)."""
    import matplotlib.cbook
    import skimage.data

    from faceswap_kit.io import read_image

    grace = read_image(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    return {"astronaut": skimage.data.astronaut(), "grace_hopper": grace}
