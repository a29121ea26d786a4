"""The ALE v5 protocol (Machado et al. 2018) and the one place that builds `ale_py.AtariVectorEnv`.

Every game uses the full 18-action set, sticky actions with probability 0.25, frameskip 4 with
max-pooling of the last two frames, 84x84 grayscale frames stacked 4 deep, no life-loss signal, no
no-op starts and no FIRE on reset (sticky actions supply the stochasticity), and an episode cap of
108,000 frames. Rewards come back unclipped; the agent clips them for learning only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from benchmarks.errors import BenchmarkError
from core.config import require
from core.errors import unknown_name_message

if TYPE_CHECKING:
    from ale_py.vector_env import AtariVectorEnv

NUM_ACTIONS = 18
"""The full Atari action set: one network serves every game of a sequence."""

FRAME_SIZE = 84
"""Frames are downsampled to 84x84, the input of the Nature DQN torso (Mnih et al. 2015) that `QNetwork` builds."""


@dataclass(frozen=True)
class ALESettings:
    """Emulator settings shared by training and evaluation environments; the defaults are ALE v5's."""

    sticky_action_probability: float = 0.25
    frameskip: int = 4
    frame_stack: int = 4
    max_episode_frames: int = 108_000

    def __post_init__(self) -> None:
        require(0 <= self.sticky_action_probability < 1, "bench", "sticky_action_probability", "a number in [0, 1)",
                self.sticky_action_probability, BenchmarkError)
        require(self.frameskip >= 1, "bench", "frameskip", "a positive integer", self.frameskip, BenchmarkError)
        require(self.frame_stack >= 1, "bench", "frame_stack", "a positive integer", self.frame_stack, BenchmarkError)
        require(self.max_episode_frames >= self.frameskip, "bench", "max_episode_frames",
                f"at least frameskip ({self.frameskip})", self.max_episode_frames, BenchmarkError)

    @property
    def observation_shape(self) -> tuple[int, int, int]:
        return (self.frame_stack, FRAME_SIZE, FRAME_SIZE)


def available_games() -> list[str]:
    """ROM ids that ship inside ale-py (snake_case, e.g. `space_invaders`)."""
    from ale_py import roms

    return sorted(roms.get_all_rom_ids())


def check_games(games: tuple[str, ...], field: str = "games") -> None:
    """Raise a BenchmarkError naming the first game that ale-py does not ship (with the closest id)."""
    require(len(games) > 0, "bench", field, "at least one ALE game id, e.g. breakout,pong", games, BenchmarkError)
    known = set(available_games())
    for game in games:
        if game not in known:
            raise BenchmarkError(f"bench.{field}: " + unknown_name_message("ALE game", game, known))


def make_vector_env(
    game: str,
    num_envs: int,
    settings: ALESettings,
    autoreset: str = "SameStep",
    num_threads: int = 0,
) -> AtariVectorEnv:
    """`num_envs` emulators of `game` under the v5 protocol; observations (N, 4, 84, 84) uint8."""
    from ale_py.vector_env import AtariVectorEnv

    env = AtariVectorEnv(
        game,
        num_envs,
        num_threads=num_threads,
        max_num_frames_per_episode=settings.max_episode_frames,
        repeat_action_probability=settings.sticky_action_probability,
        full_action_space=True,
        autoreset_mode=autoreset,
        img_height=FRAME_SIZE,
        img_width=FRAME_SIZE,
        grayscale=True,
        stack_num=settings.frame_stack,
        frameskip=settings.frameskip,
        maxpool=True,
        noop_max=0,
        episodic_life=False,
        life_loss_info=False,
        reward_clipping=False,
        use_fire_reset=False,
    )
    if env.single_action_space.n != NUM_ACTIONS:
        raise BenchmarkError(f"ale-py gave {env.single_action_space.n} actions for {game}; expected the full set of {NUM_ACTIONS}")
    return env
