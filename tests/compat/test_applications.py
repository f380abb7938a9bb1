"""``kt.applications``: keras-tuner's ready-made image hypermodels, used the keras-tuner way.

Small images and build-only checks keep this fast on every backend; one model trains a step.
Nothing downloads: every network is built with ``weights=None``.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

import rung as kt


def hp_with(**values: object) -> kt.HyperParameters:
    hp = kt.HyperParameters()
    hp.values.update(values)
    return hp


@pytest.mark.parametrize("version", ["v1", "v2", "next"])
def test_resnet_versions_build_a_classifier(version: str) -> None:
    hp = hp_with(version=version)
    model = kt.applications.HyperResNet(input_shape=(32, 32, 3), classes=10).build(hp)
    assert model.name == "ResNet"
    assert model.output_shape == (None, 10)
    assert hp.values["version"] == version
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)


def test_resnet_search_space_and_defaults() -> None:
    hp = kt.HyperParameters()
    kt.applications.HyperResNet(input_shape=(32, 32, 3), classes=10).build(hp)
    assert hp.values == {"version": "v2", "conv3_depth": 4, "conv4_depth": 6, "pooling": "avg",
                         "optimizer": "adam", "learning_rate": 0.01}
    spaces = {h.name: h for h in hp.space}
    assert list(spaces["conv4_depth"].values) == [6, 23, 36]
    assert list(spaces["version"].values) == ["v1", "v2", "next"]


def test_deeper_resnet_has_more_blocks() -> None:
    shallow = kt.applications.HyperResNet(input_shape=(32, 32, 3), classes=2).build(
        hp_with(version="v1"))
    deep = kt.applications.HyperResNet(input_shape=(32, 32, 3), classes=2).build(
        hp_with(version="v1", conv3_depth=8))
    assert deep.count_params() > shallow.count_params()


def test_without_top_the_features_are_returned_uncompiled() -> None:
    inputs = keras.Input(shape=(32, 32, 3))
    model = kt.applications.HyperResNet(input_tensor=inputs, include_top=False).build(
        hp_with(pooling="max"))
    assert model.inputs == [inputs]
    assert model.output_shape == (None, 2048)
    assert not getattr(model, "optimizer", None)


@pytest.mark.parametrize("hypermodel", [kt.applications.HyperResNet,
                                        kt.applications.HyperXception])
def test_classes_and_input_are_required(hypermodel: type) -> None:
    with pytest.raises(ValueError, match="classes"):
        hypermodel(input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match="input_tensor"):
        hypermodel(classes=10)
    with pytest.raises(TypeError, match="input_shape"):
        hypermodel(input_shape="32x32", classes=10)


def test_xception_search_space_and_defaults() -> None:
    hp = kt.HyperParameters()
    model = kt.applications.HyperXception(input_shape=(32, 32, 3), classes=10).build(hp)
    assert model.name == "Xception"
    assert model.output_shape == (None, 10)
    assert hp.values == {"activation": "relu", "conv2d_num_filters": 64, "kernel_size": 3,
                         "initial_strides": 2, "sep_num_filters": 256, "num_residual_blocks": 4,
                         "pooling": "avg", "num_dense_layers": 1, "dropout_rate": 0.5,
                         "dense_use_bn": True, "learning_rate": 1e-3}


def test_small_selu_xception_trains_a_step() -> None:
    hp = hp_with(activation="selu", conv2d_num_filters=32, sep_num_filters=128,
                 num_residual_blocks=2, pooling="flatten", num_dense_layers=2)
    model = kt.applications.HyperXception(input_shape=(16, 16, 1), classes=3).build(hp)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers)
    x, y = np.ones((4, 16, 16, 1), "float32"), np.eye(3, dtype="float32")[[0, 1, 2, 0]]
    loss = model.train_on_batch(x, y)
    assert np.isfinite(np.ravel(loss)[0])
    assert model.predict(x, verbose=0).shape == (4, 3)


@pytest.mark.parametrize("dense_use_bn", [True, False])
def test_xception_hidden_dense_layers_keep_a_bias_unless_normalised(dense_use_bn: bool) -> None:
    # keras-tuner's relu classifier layers have a bias; without batch normalisation after them
    # nothing else shifts their output (a bias-free hidden layer was built for dense_use_bn=False)
    hp = hp_with(num_dense_layers=2, dense_use_bn=dense_use_bn, sep_num_filters=128,
                 num_residual_blocks=2)
    model = kt.applications.HyperXception(input_shape=(16, 16, 1), classes=3).build(hp)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert len(dense) == 3  # two hidden layers and the output
    for layer in dense[:-1]:
        following = model.layers[model.layers.index(layer) + 1]
        normalised = isinstance(following, keras.layers.BatchNormalization)
        assert normalised == dense_use_bn
        assert layer.use_bias == (not normalised)
    assert dense[-1].use_bias


def test_efficientnet_builds_from_keras_applications_without_weights() -> None:
    class Augment(kt.HyperModel):
        def build(self, hp):
            return keras.Sequential([keras.layers.Rescaling(hp.Choice("scale", [1.0, 0.5]))],
                                    name="augment")

    class SGDFree(kt.applications.HyperEfficientNet):
        def _compile(self, model, hp):
            model.compile(keras.optimizers.Adam(hp.Choice("lr", [1e-3, 1e-4])),
                          "categorical_crossentropy")

    hp = kt.HyperParameters()
    hypermodel = SGDFree(input_shape=(32, 32, 3), classes=5, augmentation_model=Augment())
    model = hypermodel.build(hp)
    assert model.name == "EfficientNet"
    assert model.output_shape == (None, 5)
    assert model.layers[1].name == "augment"
    assert hp.values == {"scale": 1.0, "version": "B0", "pooling": "avg",
                         "top_dropout_rate": 0.2, "lr": 1e-3}  # _compile replaced the default
    assert hypermodel.weights is None
    assert any(layer.name.startswith("block7a") for layer in model.layers)  # EfficientNet-B0


def test_efficientnet_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="classes"):
        kt.applications.HyperEfficientNet(input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match="augmentation_model"):
        kt.applications.HyperEfficientNet(input_shape=(32, 32, 3), classes=2,
                                          augmentation_model=0)
    with pytest.raises(TypeError, match="weights"):
        kt.applications.HyperEfficientNet(input_shape=(32, 32, 3), classes=2, weights=1)


def test_augment_ranges_from_the_arguments() -> None:
    default = kt.applications.HyperImageAugment(input_shape=(32, 32, 3))
    assert default.transforms == [("rotate", (0, 0.5)), ("translate_x", (0, 0.4)),
                                  ("translate_y", (0, 0.4)), ("contrast", (0, 0.3))]
    chosen = kt.applications.HyperImageAugment(input_shape=(32, 32, 3), rotate=0.3,
                                               translate_x=[0.1, 0.5], contrast=None)
    assert chosen.transforms == [("rotate", (0, 0.3)), ("translate_x", (0.1, 0.5)),
                                 ("translate_y", (0, 0.4))]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({}, "must specify"), ({"input_shape": (8, 8, 3), "augment_layers": 1.5}, "must be int"),
    ({"input_shape": (8, 8, 3), "contrast": [0.5, 1, 2]}, "exceed 2"),
    ({"input_shape": (8, 8, 3), "contrast": [0.5, "a"]}, "must be int or float"),
    ({"input_shape": (8, 8, 3), "rotate": [0.6, 0.2]}, "low <= high"),
])
def test_augment_arguments_are_checked(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        kt.applications.HyperImageAugment(**kwargs)


def test_fixed_augmentation_tunes_each_factor_and_skips_zero() -> None:
    hp = hp_with(factor_translate_x=0.3)
    hypermodel = kt.applications.HyperImageAugment(input_shape=(None, None, 3), contrast=None,
                                                   translate_x=[0.2, 0.4], augment_layers=0)
    model = hypermodel.build(hp)
    assert model.name == "image_augment"
    assert hp.values == {"factor_rotate": 0.0, "factor_translate_x": 0.3,
                         "factor_translate_y": 0.0}
    assert [type(layer).__name__ for layer in model.layers[1:]] == ["RandomTranslation"]
    image = np.ones((1, 32, 32, 3), "float32")
    assert np.array_equal(model.predict(image, verbose=0), image)  # inference leaves images


def test_translate_x_shifts_horizontally() -> None:
    rows = np.tile(np.arange(16, dtype="float32")[None, :, None, None], (2, 1, 16, 3))
    columns = np.transpose(rows, (0, 2, 1, 3))  # varies along the width only
    shift = kt.applications.HyperImageAugment(input_shape=(16, 16, 3), rotate=None,
                                              translate_y=None, contrast=None, augment_layers=0)
    model = shift.build(hp_with(factor_translate_x=0.4))
    np.testing.assert_allclose(np.asarray(model(rows, training=True)), rows, atol=1e-4)
    assert not np.allclose(np.asarray(model(columns, training=True)), columns, atol=1e-4)


def test_rand_augment_stacks_tuned_layers_active_only_in_training() -> None:
    hp = kt.HyperParameters()
    hypermodel = kt.applications.HyperImageAugment(input_shape=(None, None, 3),
                                                   augment_layers=[2, 4], contrast=False)
    model = hypermodel.build(hp)
    assert model.name == "image_rand_augment"
    assert hp.values["augment_layers"] == 2
    assert "factor_contrast" not in hp.values
    model = hypermodel.build(hp_with(augment_layers=2, factor_rotate=0.5, factor_translate_y=0.3))
    images = np.random.default_rng(0).random((8, 12, 12, 3)).astype("float32")
    assert np.array_equal(model.predict(images, verbose=0), images)
    assert not np.allclose(np.asarray(model(images, training=True)), images)


def test_a_search_over_an_application(tmp_path) -> None:
    hp = kt.HyperParameters()
    hp.Fixed("conv2d_num_filters", 32)
    hp.Fixed("sep_num_filters", 128)
    hp.Fixed("num_residual_blocks", 2)
    tuner = kt.RandomSearch(kt.applications.HyperXception(input_shape=(8, 8, 1), classes=2),
                            hyperparameters=hp, objective="val_accuracy", max_trials=2,
                            directory=tmp_path, project_name="xception", seed=0, verbose=0)
    x = np.random.default_rng(0).random((16, 8, 8, 1)).astype("float32")
    y = np.eye(2, dtype="float32")[np.arange(16) % 2]
    tuner.search(x, y, validation_data=(x, y), epochs=1, batch_size=8, verbose=0)
    best = tuner.get_best_hyperparameters(1)[0]
    assert best.values["sep_num_filters"] == 128
    assert len(tuner.oracle.trials) == 2
