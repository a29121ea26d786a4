"""Plasticity methods: one file each, registered by name, composed with `+`."""

from methods.base import ComposedMethod, Method, create, get, load_all, names, register
from core.errors import MethodError
from methods.learner import Learner, OptimizerSpec, TaskInfo
from methods.network import DescribedModel, LayerInfo, NetworkDescription, NormSlot

__all__ = [
    "ComposedMethod",
    "DescribedModel",
    "LayerInfo",
    "Learner",
    "Method",
    "MethodError",
    "NetworkDescription",
    "NormSlot",
    "OptimizerSpec",
    "TaskInfo",
    "create",
    "get",
    "load_all",
    "names",
    "register",
]
