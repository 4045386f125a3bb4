/* The batch QR poster: the one page every school prints and puts up. */
#include "tc_pdf.h"

#include <stdio.h>

enum { A4_W = 210, A4_H = 297 };

int tc_pdf_poster_render(tc_pdf_fonts *fonts, const tc_pdf_poster *p, uint8_t **out, size_t *len, tc_err *e)
{
    static const char *const STEPS[] = {
        "1. 用微信扫描上方二维码，或打开链接后输入特征码；",
        "2. 上传学信网图像采集码，核对并确认本人信息；",
        "3. 阅读须知和拍摄要求，现场拍摄或从相册上传；",
        "4. 确认照片并提交审核，留意消息通知。",
    };
    *out = NULL;
    *len = 0;
    tc_pdf *d;
    if (tc_pdf_new(A4_W, A4_H, fonts, &d, e) != 0)
        return -1;
    const double cx = A4_W / 2.0, text_w = A4_W - 2 * 20.0; /* 20 mm margins */
    char code[64];
    snprintf(code, sizeof code, "特征码  %s", p->code);
    int rc = tc_pdf_text(d, p->school, TC_PDF_POSTER_TITLE_PT, 1, cx, TC_PDF_POSTER_TITLE_Y, TC_PDF_CENTRE, text_w, NULL, e);
    if (rc == 0)
        rc = tc_pdf_text(d, p->batch, 20, 0, cx, 38, TC_PDF_CENTRE, text_w, NULL, e);
    if (rc == 0)
        rc = tc_pdf_text(d, "毕业生图像采集 · 扫码进入", 15, 0, cx, 52, TC_PDF_CENTRE, text_w, NULL, e);
    if (rc == 0)
        rc = tc_pdf_png(d, p->qr_png, p->qr_len, cx - TC_PDF_POSTER_QR_MM / 2.0, TC_PDF_POSTER_QR_Y, TC_PDF_POSTER_QR_MM,
                        TC_PDF_POSTER_QR_MM, e);
    if (rc == 0)
        rc = tc_pdf_text(d, code, TC_PDF_POSTER_CODE_PT, 1, cx, TC_PDF_POSTER_CODE_Y, TC_PDF_CENTRE, text_w, NULL, e);
    for (size_t i = 0; rc == 0 && i < TC_ARRAY_LEN(STEPS); i++)
        rc = tc_pdf_text(d, STEPS[i], 13, 0, 32, 200 + 11 * (double)i, TC_PDF_LEFT, A4_W - 2 * 32.0, NULL, e);
    if (rc == 0)
        rc = tc_pdf_text(d, p->url, TC_PDF_POSTER_URL_PT, 0, cx, TC_PDF_POSTER_URL_Y, TC_PDF_CENTRE, text_w, NULL, e);
    if (rc != 0) {
        tc_pdf_free(d);
        return -1;
    }
    return tc_pdf_finish(d, out, len, e);
}
