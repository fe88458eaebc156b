"""A tiny randomly initialised PaddleOCR-VL model, built and saved at test time (no weights, no download).

Its answers are noise; it exists to run the real loader and generation path (extractor/vision/vl.py) end to end.
The tokenizer is a word-level vocabulary built with the `tokenizers` library; the processor is transformers'
own PaddleOCRVLProcessor with a small chat template in the shape the real model's template has.
Needs the `vl` extra (torch, transformers).
"""

from __future__ import annotations

from pathlib import Path

SPECIALS = ["<unk>", "<s>", "</s>", "<pad>", "<|IMAGE_PLACEHOLDER|>", "<|IMAGE_START|>", "<|IMAGE_END|>"]
WORDS = ["<fcel>", "<ecel>", "<lcel>", "<ucel>", "<xcel>", "<nl>", "<table>", "</table>", "<tr>", "</tr>"]
WORDS += ["<td>", "</td>", "User:", "Assistant:", "Table", "Recognition:", "OCR:", "1", "2", "项目", "合计"]
CHAT_TEMPLATE = (
    "{% for m in messages %}{% if m['role'] == 'user' %}User: {% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<|IMAGE_START|><|IMAGE_PLACEHOLDER|><|IMAGE_END|>{% else %}{{ c['text'] }}"
    "{% endif %}{% endfor %}\n{% endif %}{% endfor %}{% if add_generation_prompt %}Assistant: {% endif %}"
)


def build_tiny_model(directory: Path, seed: int = 0) -> Path:
    """Save a tiny PaddleOCR-VL model and its processor into `directory` (created)."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PaddleOCRVLConfig, PaddleOCRVLForConditionalGeneration, PreTrainedTokenizerFast
    from transformers.models.paddleocr_vl import PaddleOCRVLProcessor
    from transformers.models.paddleocr_vl.image_processing_pil_paddleocr_vl import PaddleOCRVLImageProcessorPil

    vocab = {token: index for index, token in enumerate(SPECIALS + WORDS)}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        extra_special_tokens={"image_token": "<|IMAGE_PLACEHOLDER|>"},
        additional_special_tokens=SPECIALS[4:],
    )
    config = PaddleOCRVLConfig(
        text_config={
            "vocab_size": len(vocab),
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "num_key_value_heads": 1,
            "head_dim": 16,
            "pad_token_id": vocab["<pad>"],
            "bos_token_id": vocab["<s>"],
            "eos_token_id": vocab["</s>"],
            "max_position_embeddings": 4096,
            # multimodal rope sections (t, h, w) must add up to head_dim / 2
            "rope_parameters": {"rope_type": "default", "rope_theta": 500000.0, "mrope_section": [2, 3, 3]},
        },
        vision_config={
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "image_size": 56,
            "patch_size": 14,
        },
        image_token_id=vocab["<|IMAGE_PLACEHOLDER|>"],
        video_token_id=vocab["<unk>"],
        vision_start_token_id=vocab["<|IMAGE_START|>"],
        vision_end_token_id=vocab["<|IMAGE_END|>"],
    )
    torch.manual_seed(seed)
    model = PaddleOCRVLForConditionalGeneration(config)
    # The random model rarely emits EOS; keep the generation config free of sampling so runs repeat.
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    # Few image tokens: a 28×28-pixel patch grid of at most 16 merged tokens keeps generation fast on a CPU.
    images = PaddleOCRVLImageProcessorPil(min_pixels=28 * 28 * 4, max_pixels=28 * 28 * 16)
    PaddleOCRVLProcessor(image_processor=images, tokenizer=tokenizer, chat_template=CHAT_TEMPLATE).save_pretrained(
        directory
    )
    return directory
