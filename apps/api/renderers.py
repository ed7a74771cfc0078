"""The API's JSON renderer: DRF's, except that an error answer (4xx, 5xx) quotes at most a few
hundred characters of any text. DRF's validation messages quote the input (``"…" is not a valid
choice``), and views build their ``{"message"}`` from them: one place makes sure a 1 MB input is
never echoed back, whichever view answered."""

from rest_framework.renderers import JSONRenderer

from portal.clipping import clip_all


class ClippedErrorsJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400:
            data = clip_all(data)
        return super().render(data, accepted_media_type, renderer_context)
