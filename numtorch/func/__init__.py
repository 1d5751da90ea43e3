"""torch.func: composable function transforms (vmap, grad, vjp, jvp, jacrev, jacfwd, hessian,
linearize) and functional_call / stack_module_state /
replace_all_batch_norm_modules_ for modules.

numtorch runs them eagerly on its tape autograd: see the NOTEs in ``_vmap`` (a loop over
the batch) and ``_eager_transforms`` (forward mode through the double backward trick).
"""
from ._vmap import vmap
from ._eager_transforms import (grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian,
                                linearize)
from ._functional_call import functional_call, stack_module_state
from ._batch_norm_replacement import debug_unwrap, replace_all_batch_norm_modules_

__all__ = ['vmap', 'grad', 'grad_and_value', 'vjp', 'jvp', 'jacrev', 'jacfwd', 'hessian',
           'linearize', 'functional_call', 'stack_module_state', 'debug_unwrap',
           'replace_all_batch_norm_modules_']
