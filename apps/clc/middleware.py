"""``HybridMiddleware``: the base of the portal's middlewares that run in sync and async stacks;
``ServerTimingMiddleware`` adds ``Server-Timing: upstream;desc="N calls";dur=MS`` to every response."""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from .metrics import end_tally, start_tally


class HybridMiddleware:
    """Sync and async capable (the SSE views are async: no thread hop forced on them): a request
    goes to ``_call`` in a sync stack, to the coroutine ``_acall`` in an async one."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self._acall(request)
        return self._call(request)

    def _call(self, request):
        raise NotImplementedError

    async def _acall(self, request):
        raise NotImplementedError


class ServerTimingMiddleware(HybridMiddleware):
    def _call(self, request):
        tally, token = start_tally()
        try:
            response = self.get_response(request)
        finally:
            end_tally(token)
        self._stamp(response, tally)
        return response

    async def _acall(self, request):
        tally, token = start_tally()
        try:
            response = await self.get_response(request)
        finally:
            end_tally(token)
        self._stamp(response, tally)
        return response

    @staticmethod
    def _stamp(response, tally):
        existing = response.get("Server-Timing")
        value = tally.header_value()
        response["Server-Timing"] = f"{existing}, {value}" if existing else value
